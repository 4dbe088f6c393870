"""JSON API for analysing a series with run chart and SPC rules."""

from __future__ import annotations

from fastapi import APIRouter

from app.analysis import service as analysis_service
from app.analysis.schemas import AnalysisPublic, AnalysisRequest

router = APIRouter(prefix="/api/v1", tags=["analysis"])


@router.post("/analysis", response_model=AnalysisPublic)
def analyse_series(payload: AnalysisRequest) -> AnalysisPublic:
    """Judge a series by one rule set and return its centre, limits and signals."""
    return analysis_service.analyse(request=payload)
