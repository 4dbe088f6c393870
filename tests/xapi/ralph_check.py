"""Validate xAPI statements with Ralph's own models; run by Ralph's interpreter (.venv-ralph).

Reads a JSON list of statements on stdin and prints one JSON report per statement: every
statement must validate as Ralph's BaseXapiStatement (the xAPI 1.0.3 statement, extra fields
forbidden); a verb Ralph's concept models know (ADL, SCORM, Tin Can vocabularies) must validate
as that verb; and where Ralph's model selector finds a more specific statement model (its
profiles), the statement must validate as that model too.
"""

import importlib
import inspect
import json
import pkgutil
import sys

import ralph.models.xapi.concepts.verbs as verbs_package
from pydantic import ValidationError
from ralph.models.selector import ModelSelector
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.verbs import BaseXapiVerb


def _verb_models():
    found = {}
    for info in pkgutil.iter_modules(verbs_package.__path__):
        module = importlib.import_module(f"{verbs_package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseXapiVerb) and cls is not BaseXapiVerb:
                default = cls.model_fields["id"].default
                if isinstance(default, str):
                    found[default] = cls
    return found


def main() -> int:
    statements = json.load(sys.stdin)
    verbs = _verb_models()
    selector = ModelSelector(module="ralph.models.xapi")
    reports = []
    for statement in statements:
        report = {"id": statement.get("id"), "errors": [], "verb_model": None, "models": []}
        try:
            BaseXapiStatement.model_validate(statement)
        except ValidationError as exc:
            report["errors"].append(f"BaseXapiStatement: {exc}")
        verb_model = verbs.get(statement.get("verb", {}).get("id"))
        if verb_model is not None:
            report["verb_model"] = verb_model.__name__
            try:
                verb_model.model_validate(statement["verb"])
            except ValidationError as exc:
                report["errors"].append(f"{verb_model.__name__}: {exc}")
        try:
            models = selector.get_models(statement)
        except Exception:  # no specific model: the base model above is the one that applies
            models = []
        for model in models:
            report["models"].append(model.__name__)
            try:
                model.model_validate(statement)
            except ValidationError as exc:
                report["errors"].append(f"{model.__name__}: {exc}")
        reports.append(report)
    json.dump(reports, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
