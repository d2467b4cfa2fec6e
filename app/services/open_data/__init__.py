"""Public open-data files read into an organisation's catalogue: CBS Kerncijfers wijken en
buurten (KWB) and the Leefbaarometer scores per buurt, in the layouts they are published in.

`formats` reads a file's rows into buurten and measurements (no database); `loading` writes
them through the bulk import's writers, all or nothing.
"""

from app.services.open_data.formats import (
    KwbBuurt,
    LbmMeasurement,
    gemeente_digits,
    kwb_year_from_name,
    read_kwb,
    read_leefbaarometer,
)
from app.services.open_data.loading import (
    LoadSummary,
    OpenDataRefused,
    load_kwb,
    load_leefbaarometer,
)

__all__ = ["KwbBuurt", "LbmMeasurement", "LoadSummary", "OpenDataRefused", "gemeente_digits",
           "kwb_year_from_name", "load_kwb", "load_leefbaarometer", "read_kwb",
           "read_leefbaarometer"]
