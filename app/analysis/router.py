"""JSON API for analysing a series with run chart and SPC rules."""

from __future__ import annotations

from fastapi import APIRouter

from app.analysis import service as analysis_service
from app.analysis.schemas import AnalysisPublic, AnalysisRequest

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["analysis"])


@api.post("/analysis", response_model=AnalysisPublic)
def analyse_series(payload: AnalysisRequest) -> AnalysisPublic:
    """Judge a series by one rule set and return its centre, limits and signals."""
    return analysis_service.analyse(request=payload)
