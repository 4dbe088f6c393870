"""JSON API for analysing a series with run chart and SPC rules, and for funnel plots."""

from __future__ import annotations

from fastapi import APIRouter

from app.analysis import service as analysis_service
from app.analysis.funnel_schemas import FunnelPublic, FunnelRequest
from app.analysis.schemas import AnalysisPublic, AnalysisRequest

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["analysis"])


@api.post("/analysis", response_model=AnalysisPublic)
def analyse_series(payload: AnalysisRequest) -> AnalysisPublic:
    """Judge a series by one rule set and return its centre, limits and signals."""
    return analysis_service.analyse(request=payload)


@api.post("/analysis/funnel", response_model=FunnelPublic)
def funnel_plot(payload: FunnelRequest) -> FunnelPublic:
    """Compare units at one point in time: funnel limits at 95% and 99.8% (Spiegelhalter 2005)."""
    return analysis_service.funnel_plot(request=payload)
