"""The catalogue an organisation plans with: interventions, neighbourhoods, housing units and
their bulk imports."""
