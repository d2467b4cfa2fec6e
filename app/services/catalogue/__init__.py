"""The planner's inputs: the catalogue (domains, indicators, interventions, partners),
neighbourhoods and units, normalisation, a scenario assembled from them, and the demo
organisation."""
