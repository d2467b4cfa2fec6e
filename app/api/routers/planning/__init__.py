"""The planner's workflow: solve a document, store scenarios and their versions, run them."""
