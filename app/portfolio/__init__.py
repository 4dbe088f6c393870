"""An organisation's QI portfolio: the project registry, approval by QI leads, progress scores."""
