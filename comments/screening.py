"""Screening a comment before it is published: watched words, scorers and earned trust.

`screen()` is the one step comment_create and comment_edit run on new text. It returns a
Verdict (publish, hold, refuse; the body to save, masked where a rule censors; a score; notes
for moderators) and never writes anything: the services act on it.

Everything here is off until an editor sets it up: no watched words, no scorers, and so no
outbound request, by default.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import math
import time
import unicodedata
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import regex
from django.conf import settings
from django.utils.module_loading import import_string

from . import trust
from .models import Comment, ModerationAction, ModerationSettings, ScorerFallback, WatchedWord
from .rendering import count_links

logger = logging.getLogger(__name__)

Status = Comment.Status
Action = WatchedWord.Action

BLOCK_REASON = (
    "Your comment contains words that are not allowed here. Please rephrase it and try again."
)
HOLD_REASON = "Held for a moderator: it contains words we check before they appear."
TOO_SLOW_REASON = "Held for a moderator: an automatic check could not finish in time."
SCORER_FAILED_REASON = "Held for a moderator: automatic screening is not available just now."
PREMODERATED_REASON = "Comments on this story are reviewed before they appear."
LINK_HELD_REASON = (
    "Comments with links on this story are checked by a moderator before they appear."
)
MASK = "\\*"  # an escaped asterisk: Markdown shows "*", never emphasis or a rule

# All watched-word matching in one screening call stops after this long (a pattern saved before
# validation existed, or one that only backtracks on some text, cannot stall posting).
MATCH_BUDGET_SECONDS = 0.2
# What saving a pattern may cost per probe; a probe that takes longer refuses the pattern.
PROBE_TIMEOUT_SECONDS = 0.05
# Scoring requests run here so a page waits at most the configured timeout, whatever the socket.
_SCORER_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="comment-scorer")
_MAX_SCORER_RESPONSE = 64 * 1024


# --- seeing through disguises --------------------------------------------------------------

# Letters from other scripts that look like Latin ones (Cyrillic, Greek), mapped before folding
# case, so both the capital and the small form map to what they look like. A small explicit
# table, not Unicode's whole confusables list: these are the ones used to dodge word filters.
_LOOKALIKE_PAIRS = (
    (
        "АаВвЕеЁёКкМмНнОоРрСсТтУуХхЅѕІіЈјԀԁҺһҮүӀӏԚԛԜԝЬь",
        "AaBbEeEeKkMmHhOoPpCcTtYyXxSsIiJjDdHhYyIlQqWwbb",
    ),
    ("ΑαΒβΕεΖΗηΙιΚκΜΝνΟοΡρΤτΥυΧχϲϹ", "AaBbEeZHnIiKkMNvOoPpTtYuXxcC"),
    ("ıȷɑɡɩʏօսհց", "ijagiyouhg"),  # Latin and Armenian
)
_LOOKALIKES = str.maketrans(
    "".join(others for others, _ in _LOOKALIKE_PAIRS),
    "".join(latin for _, latin in _LOOKALIKE_PAIRS),
)
# Format characters (zero-width spaces and joiners, bidi controls, soft hyphens) and
# combining marks (accents, "zalgo" stacks) are dropped.
_DROPPED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})


def normalise(text: str) -> tuple[str, list[int]]:
    """The text as matching sees it, and for each of its characters the index of the
    character of `text` it came from (so a match can be masked in the original).

    Compatibility forms become plain letters (NFKD: fullwidth, ligatures, maths alphabets),
    accents and invisible characters go, look-alike letters become Latin, case is folded.
    """
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.category(part) in _DROPPED_CATEGORIES:
                continue
            for folded in part.translate(_LOOKALIKES).casefold():
                out.append(folded)
                origin.append(index)
    return "".join(out), origin


# --- watched words ---------------------------------------------------------------------------


class PatternTooSlow(Exception):
    """A watched-word pattern ran out of the matching budget."""


@functools.lru_cache(maxsize=2048)
def compile_pattern(pattern: str, is_regex: bool) -> regex.Pattern:
    """Compiled once per process for each distinct pattern text: an edited watched word is a
    new key, so there is nothing to invalidate."""
    if is_regex:
        return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    words = normalise(pattern)[0].split()
    body = r"\s+".join(regex.escape(word) for word in words)
    return regex.compile(rf"(?<!\w)(?:{body})(?!\w)", regex.IGNORECASE)


def _probes(pattern: str) -> list[str]:
    """Long, nearly matching texts: what makes a backtracking pattern blow up."""
    chars = [c for c in dict.fromkeys(normalise(pattern)[0]) if c.isalnum()][:8]
    return [c * 2_000 + "!" for c in [*chars, "a", "0"]] + ["word " * 500 + "!"]


def pattern_problem(pattern: str, *, is_regex: bool) -> str | None:
    """Why an editor may not save this pattern, or None. Used by WatchedWord.clean()."""
    if not normalise(pattern)[0].strip():
        return "Enter a word, phrase or pattern with at least one visible character."
    try:
        compiled = compile_pattern(pattern, is_regex)
    except regex.error as error:
        return f"This is not a valid regular expression: {error}."
    try:
        if compiled.search("", timeout=PROBE_TIMEOUT_SECONDS) is not None:
            return "This pattern matches empty text, so it would catch every comment."
        for probe in _probes(pattern):
            compiled.search(probe, timeout=PROBE_TIMEOUT_SECONDS)
    except TimeoutError:
        return (
            "This pattern is too slow: on some comments it would take seconds (catastrophic "
            "backtracking, usually a repeat inside a repeat such as (a+)+). Please simplify it."
        )
    return None


@dataclass(frozen=True)
class Rule:
    pattern: str
    is_regex: bool
    action: str
    reason: str
    compiled: regex.Pattern

    @property
    def label(self) -> str:
        return f"/{self.pattern}/" if self.is_regex else f"“{self.pattern}”"


def load_rules() -> list[Rule]:
    """The watched words, read in one query per screening call (so a change applies at once
    on every server); their compiled patterns come from the process's cache."""
    rules = []
    for pattern, is_regex, action, reason in WatchedWord.objects.values_list(
        "pattern", "is_regex", "action", "reason"
    ):
        try:
            compiled = compile_pattern(pattern, is_regex)
        except regex.error:
            logger.warning("Watched word %r is not a valid pattern; skipped", pattern)
            continue
        rules.append(Rule(pattern, is_regex, action, reason, compiled))
    return rules


def find_matches(text: str, rules: list[Rule]) -> list[tuple[Rule, list[tuple[int, int]]]]:
    """Each rule that matches the normalised text, with its spans; PatternTooSlow when the
    matching budget runs out."""
    deadline = time.monotonic() + MATCH_BUDGET_SECONDS
    found = []
    for rule in rules:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PatternTooSlow(rule.pattern)
        try:
            spans = [m.span() for m in rule.compiled.finditer(text, timeout=remaining) if m.end()]
        except TimeoutError:
            raise PatternTooSlow(rule.pattern) from None
        if spans:
            found.append((rule, spans))
    return found


def mask(body: str, origin: list[int], spans: list[tuple[int, int]]) -> str:
    """The body with each matched span's visible characters replaced by asterisks."""
    masked = set()
    for start, end in spans:
        masked.update(range(origin[start], origin[end - 1] + 1))
    return "".join(
        MASK if i in masked and not char.isspace() else char for i, char in enumerate(body)
    )


# --- scorers ---------------------------------------------------------------------------------


class ScorerFailed(Exception):
    """A scorer timed out, failed or answered something that is not a score."""


def _as_score(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ScorerFailed(f"not a score: {value!r}")
    if not 0 <= value <= 1:
        raise ScorerFailed(f"score out of range: {value!r}")
    return float(value)


@functools.lru_cache(maxsize=8)
def _python_scorers(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]


def python_scores(*, body: str, author, article) -> list[float]:
    """Scores from the COMMENT_SCORERS hooks: callables (text, author, article) -> float|None."""
    scores = []
    for scorer in _python_scorers(tuple(getattr(settings, "COMMENT_SCORERS", ()))):
        try:
            score = _as_score(scorer(body, author, article))
        except ScorerFailed:
            raise
        except Exception as error:
            logger.exception("Comment scorer %r failed", scorer)
            raise ScorerFailed(f"{scorer!r} raised {type(error).__name__}") from error
        if score is not None:
            scores.append(score)
    return scores


def sign(secret: str, timestamp: str, payload: bytes) -> str:
    """The X-Newsite-Signature value: HMAC-SHA256 over "<timestamp>.<raw body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + payload, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def author_hash(secret: str, author) -> str:
    """A stable id for the author that the scoring service cannot turn back into a person."""
    return hmac.new(secret.encode(), f"author:{author.pk}".encode(), hashlib.sha256).hexdigest()


def _post(request: urllib.request.Request, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read(_MAX_SCORER_RESPONSE)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response's socket open
        raise ScorerFailed(f"the service answered HTTP {error.code}") from None


def http_score(*, body: str, author, article, rules: ModerationSettings) -> float | None:
    """POST the comment to the editor's scoring service; its answer is {"score": 0.91}.

    The whole exchange is bounded by the configured timeout (the request runs in a worker
    thread, so a server that trickles bytes cannot hold the page longer).
    """
    timestamp = str(int(time.time()))
    payload = json.dumps(
        {
            "text": body,
            "article_url": settings.SITE_URL.rstrip("/") + article.get_absolute_url(),
            "article_title": article.title,
            "author_id_hash": author_hash(rules.scorer_secret, author),
            "timestamp": int(timestamp),
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (an http(s) URLField an editor set)
        rules.scorer_url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "newsite-comment-screening",
            "X-Newsite-Timestamp": timestamp,
            "X-Newsite-Signature": sign(rules.scorer_secret, timestamp, payload),
        },
    )
    timeout = rules.scorer_timeout_ms / 1000
    future = _SCORER_POOL.submit(_post, request, timeout)
    try:
        raw = future.result(timeout=timeout)
    except (FutureTimeout, TimeoutError):
        future.cancel()
        raise ScorerFailed(f"no answer within {rules.scorer_timeout_ms} ms") from None
    except OSError as error:  # URLError, HTTPError (a 500), connection refused
        raise ScorerFailed(str(error)) from error
    try:
        answer = json.loads(raw)
    except ValueError:
        raise ScorerFailed("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise ScorerFailed("the answer is not a JSON object")
    return _as_score(answer.get("score"))


def scorers_configured(rules: ModerationSettings) -> bool:
    return bool(rules.scorer_url or getattr(settings, "COMMENT_SCORERS", ()))


def score_comment(*, body: str, author, article, rules: ModerationSettings):
    """(score or None, hold reason or "", note for moderators) from every configured scorer.

    The highest score counts; one failing scorer applies the editor's fallback.
    """
    if not scorers_configured(rules):
        return None, "", ""
    try:
        scores = python_scores(body=body, author=author, article=article)
        if rules.scorer_url:
            remote = http_score(body=body, author=author, article=article, rules=rules)
            scores += [remote] if remote is not None else []
    except ScorerFailed as failure:
        logger.warning("Comment scoring failed: %s", failure)
        note = f"scorer failed ({failure}); fallback: {rules.get_scorer_fallback_display()}"
        hold = SCORER_FAILED_REASON if rules.scorer_fallback == ScorerFallback.HOLD else ""
        return None, hold, note
    if not scores:
        return None, "", ""
    score = max(scores)
    hold = f"automatic: {score:.2f}" if score > rules.scorer_threshold else ""
    return score, hold, f"automatic: {score:.2f}"


# --- the verdict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What screening decided about one text. `reason` is for the author; `notes` for
    moderators (what matched, the score, what failed)."""

    body: str
    status: str = Status.PUBLISHED
    reason: str = ""
    is_refused: bool = False
    is_suspect: bool = False
    is_masked: bool = False
    score: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_held(self) -> bool:
        return self.status == Status.PENDING

    @property
    def is_automated(self) -> bool:
        """Whether a rule or scorer restricted the comment (always, when it did anything)."""
        return self.is_refused or self.is_held or self.is_suspect or self.is_masked

    @property
    def notes_text(self) -> str:
        return "; ".join(self.notes)[:300]

    def marks(self) -> list[tuple[str, str]]:
        """What screening did to a comment it let through, as moderation-log rows (action,
        note); a hold is logged where the services decide the status."""
        entries = []
        if self.is_suspect:
            entries.append((ModerationAction.Action.FLAGGED, self.notes_text))
        if self.is_masked:
            entries.append((ModerationAction.Action.CENSORED, self.notes_text))
        return entries


def story_hold(
    *, body: str, author, article, rules: ModerationSettings, reader: trust.Standing | None = None
) -> str:
    """Why the story's own discussion settings hold this text ("" if they do not). Staff are
    never held: they are the ones answering. Trusted readers skip the link hold."""
    if author.is_staff:
        return ""
    if article.is_premoderated:
        return PREMODERATED_REASON
    if (
        article.is_link_hold
        and count_links(body)
        and not trust.is_trusted(author, rules, reader=reader)
    ):
        return LINK_HELD_REASON
    return ""


def screen(
    *,
    body: str,
    author,
    article,
    rules: ModerationSettings | None = None,
    editing: Comment | None = None,
    reader: trust.Standing | None = None,
) -> Verdict:
    """Screen a new comment, or new text for `editing`: watched words first (a block refuses
    at once, before any scorer is asked), then the scorers, then the author's standing.

    The author is told the first reason that holds the comment; moderators see all of them.
    `reader` is the author's standing if the caller has it already; else it is read once here.
    """
    rules = rules or ModerationSettings.load()
    notes: list[str] = []
    holds: list[str] = []
    is_suspect = is_masked = False

    original = body
    watched = load_rules()
    if watched:
        text, origin = normalise(body)
        try:
            matches = find_matches(text, watched)
        except PatternTooSlow as slow:
            logger.warning("Watched word %r ran out of time; comment held", str(slow))
            matches = []
            holds.append(TOO_SLOW_REASON)
            notes.append(f"watched word /{slow}/ ran out of time")
        for rule, _spans in matches:
            notes.append(f"watched word {rule.label} ({rule.action})")
            if rule.action == Action.BLOCK:
                return Verdict(
                    body=body,
                    is_refused=True,
                    reason=rule.reason or BLOCK_REASON,
                    notes=(notes[-1],),
                )
        for rule, _spans in matches:
            if rule.action == Action.HOLD:
                holds.append(rule.reason or HOLD_REASON)
            elif rule.action == Action.FLAG:
                is_suspect = True
        if censored := [
            span for rule, spans in matches if rule.action == Action.CENSOR for span in spans
        ]:
            body, is_masked = mask(body, origin, censored), True

    if reader is None and not author.is_staff:
        reader = trust.standing(author, rules, besides=editing)
    if story_reason := story_hold(
        body=original, author=author, article=article, rules=rules, reader=reader
    ):
        holds.append(story_reason)

    score, score_hold, score_note = score_comment(
        body=original, author=author, article=article, rules=rules
    )
    if score_hold:
        holds.append(score_hold)
    if score_note:
        notes.append(score_note)

    if standing_reason := trust.hold_reason(author, rules, editing=editing, reader=reader):
        holds.append(standing_reason)
        notes.append(standing_reason)

    return Verdict(
        body=body,
        status=Status.PENDING if holds else Status.PUBLISHED,
        reason=holds[0][:300] if holds else "",
        is_suspect=is_suspect and not holds,
        is_masked=is_masked,
        score=score,
        notes=tuple(notes),
    )
