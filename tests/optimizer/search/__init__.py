"""The solve's stages, each against brute force or a fresh solve."""
