"""Quizzes: serve questions without answers, grade submissions, store attempts, update progress."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content.loader import Question
from app.content.registry import RegisteredModule
from app.content.schemas import OptionPublic, QuestionPublic, QuizPublic
from app.core.db import utcnow
from app.core.events import publish
from app.progress import service as progress_service
from app.progress.models import ModuleProgress
from app.quizzes.events import ModulePassed, QuizAttempted
from app.quizzes.exceptions import AnswersInvalid, AttemptNotFound
from app.quizzes.models import QuizAttempt
from app.quizzes.schemas import AttemptPublic, QuestionResult

_rng = random.SystemRandom()


def public_quiz(module: RegisteredModule, *, order: str | None = None) -> QuizPublic:
    """The quiz as the learner sees it: no correctness, no feedback, options in a fresh order.

    `order` names one shuffle: the page that shows the quiz again after an error passes the
    same one back, so the options stay where the learner saw them.
    """
    rng = random.Random(order) if order else _rng
    questions = []
    for q in module.source.questions:
        options = [OptionPublic(id=o.id, text=o.text) for o in q.options]
        if q.type != "true_false":  # True/False reads oddly reversed
            rng.shuffle(options)
        questions.append(QuestionPublic(id=q.id, type=q.type, prompt=q.prompt, options=options))
    return QuizPublic(pass_mark=module.meta.quiz.pass_mark, questions=questions)


@dataclass(frozen=True)
class Graded:
    score: int
    passed: bool
    results: list[QuestionResult]


def _number(module: RegisteredModule, qid: str) -> int:
    return next(i for i, q in enumerate(module.source.questions, 1) if q.id == qid)


def validate_answers(
    module: RegisteredModule, answers: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Reject anything but one complete, well-formed set of answers, naming what to fix."""
    questions = {q.id: q for q in module.source.questions}
    unknown = [qid for qid in answers if qid not in questions]
    if unknown:
        raise AnswersInvalid(
            f"Unknown question id: {', '.join(sorted(unknown))[:200]}. Use the ids from the quiz."
        )
    missing = [q for q in module.source.questions if not answers.get(q.id)]
    if missing:
        numbers = ", ".join(str(_number(module, q.id)) for q in missing)
        raise AnswersInvalid(
            f"Answer every question before you submit. Not answered: question {numbers}."
        )
    clean: dict[str, list[str]] = {}
    for qid, chosen in answers.items():
        q = questions[qid]
        valid = {o.id for o in q.options}
        bad = [c for c in chosen if c not in valid]
        if bad:
            raise AnswersInvalid(
                f"Question {_number(module, qid)}: unknown option id {bad[0][:64]!r}."
            )
        if q.type != "multiple" and len(set(chosen)) != 1:
            raise AnswersInvalid(f"Question {_number(module, qid)}: choose one answer.")
        clean[qid] = sorted(set(chosen))
    return clean


def grade(module: RegisteredModule, answers: dict[str, list[str]]) -> Graded:
    results = []
    for q in module.source.questions:
        chosen = set(answers.get(q.id, []))
        correct = chosen == q.correct_ids
        results.append(
            QuestionResult(
                question_id=q.id,
                correct=correct,
                feedback=_feedback(q, chosen),
                explanation=q.explanation,
            )
        )
    right = sum(r.correct for r in results)
    score = round(100 * right / len(results)) if results else 0
    return Graded(score=score, passed=score >= module.meta.quiz.pass_mark, results=results)


def _feedback(q: Question, chosen: set[str]) -> str:
    notes = [o.feedback for o in q.options if o.id in chosen]
    if q.type == "multiple":
        missed = [o for o in q.options if o.correct and o.id not in chosen]
        if missed:
            notes.append(
                f"You missed {len(missed)} correct answer{'s' if len(missed) > 1 else ''}."
            )
    return " ".join(notes)


def submit_attempt(
    session: Session,
    *,
    user_id: int,
    module: RegisteredModule,
    answers: dict[str, list[str]],
    rows: dict[int, ModuleProgress],
) -> AttemptPublic:
    """Grade and store an attempt (QuizAttempted); a pass that completes the module publishes ModulePassed."""
    clean = validate_answers(module, answers)
    graded = grade(module, clean)
    attempt = QuizAttempt(
        user_id=user_id,
        module_id=module.module_id,
        module_version_id=module.version_id,
        score=graded.score,
        passed=graded.passed,
        answers=clean,
        created_at=utcnow(),
    )
    session.add(attempt)
    completed = progress_service.record_quiz_result(
        session, user_id=user_id, module=module, score=graded.score, passed=graded.passed, rows=rows
    )
    publish(
        session,
        QuizAttempted(
            user_id=user_id,
            module_id=module.module_id,
            attempt_id=attempt.id,
            slug=module.slug,
            tier=module.tier,
            score=graded.score,
            pass_mark=module.meta.quiz.pass_mark,
            passed=graded.passed,
        ),
    )
    if completed:  # awards decides whether this completes a tier
        publish(
            session,
            ModulePassed(
                user_id=user_id,
                module_id=module.module_id,
                slug=module.slug,
                tier=module.tier,
                score=graded.score,
            ),
        )
    return AttemptPublic(
        id=attempt.id,
        score=graded.score,
        passed=graded.passed,
        pass_mark=module.meta.quiz.pass_mark,
        results=graded.results,
    )


def get_attempt(
    session: Session, *, attempt_id: int, user_id: int, module: RegisteredModule
) -> AttemptPublic:
    """An earlier attempt, re-graded from what was stored, for the result page."""
    attempt = session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.id == attempt_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.module_id == module.module_id,
        )
    )
    if attempt is None:
        raise AttemptNotFound()
    graded = grade(module, attempt.answers)
    return AttemptPublic(
        id=attempt.id,
        score=attempt.score,
        passed=attempt.passed,
        pass_mark=module.meta.quiz.pass_mark,
        results=graded.results,
    )


def attempts_for(session: Session, *, user_id: int) -> list[QuizAttempt]:
    """Every quiz attempt of one learner, oldest first (for their data export)."""
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id)
            .order_by(QuizAttempt.created_at, QuizAttempt.id)
        )
    )
