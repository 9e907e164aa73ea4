"""What a citizen wants (intent) and, for complaints, what kind of problem, from weighted cues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reading import cues
from bot.domain import Category, Intent
from knowledge.text import normalise

_INTERROGATIVE = re.compile(
    r"^(?:ma |e |scusate |scusa |buongiorno |ciao |hi |hello |salve )*(?:come|dove|quando|quanto|quanta|quanti"
    r"|quante|perche|chi|qual|quale|quali|posso|si puo|c e|ci sono|e vero|sapete|is|are|can|could|do|does"
    r"|did|how|what|when|where|which|will|would|any|should|who|why|whats)\b"
)
_HAPPY_EMOJI = ("👍", "🙏", "❤", "😊", "🙂", "🥰", "💪", "👌", "😍", "🤗", "💛", "⭐", "👋", "☀")
# Anger, and the irony that turns praise into a reproach (eye-roll, clown, snail, upside-down face).
_ANGRY_EMOJI = ("😡", "🤬", "👎", "😤", "🙄", "😠", "💩", "🤡", "😒", "🐌", "🙃", "🤦", "😑", "🥱", "💀")
_CLAP = "👏"
# Complaint categories in the order that wins a tie (the more specific problem first).
_CATEGORY_ORDER = ("skipped_stop", "accessibility", "safety", "ticketing", "staff", "cleanliness", "climate",
                   "crowding", "information", "delay", "other")
_ANSWERABLE = frozenset({Intent.STATUS, Intent.FAQ, Intent.FEEDBACK})  # intents a reply may go out alone for
_STRONG_DANGER = 3.0  # one strong danger cue, or two weak ones, make an emergency without a call for help
_STRONG_FAQ = 0.25  # FAQ score from which a FAQ phrasing ("come si", "can I") counts in full
_SIGHT_WEIGHT = 5.0  # a sight's opening hours or admission: out of scope, whatever the FAQ says
_KB_LIKELY = 0.35  # FAQ score from which a question naming a line is not taken as a status question


@dataclass(frozen=True)
class IntentReading:
    """The intent chosen, every intent's score, the complaint category and why."""

    intent: Intent
    scores: dict[Intent, float]
    category: Category | None
    question: bool
    reasons: tuple[str, ...]
    cautions: tuple[str, ...] = ()

    @property
    def margin(self) -> float:
        """How far the chosen intent is ahead of the runner-up."""
        ranked = sorted(self.scores.values(), reverse=True)
        return ranked[0] - ranked[1] if len(ranked) > 1 else ranked[0]


def is_question(text: str, norm: str) -> bool:
    """A question mark, or a sentence opening the way questions do."""
    return "?" in text or bool(_INTERROGATIVE.search(norm))


def is_emergency(norm: str) -> tuple[bool, list[str]]:
    """Danger to people described as happening now (not past, habitual or hypothetical)."""
    danger, found = cues.DANGER.score(norm)
    if danger <= 0:
        return False, []
    urgent, urgent_found = cues.URGENT.score(norm)
    if danger < _STRONG_DANGER and urgent <= 0:
        return False, [f"a sign of distress alone: {', '.join(found)}"]
    not_now, not_now_found = cues.NOT_NOW.score(norm)
    if not_now > 0 and urgent <= 0:
        return False, [f"danger told as past or hypothetical: {', '.join(found + not_now_found)}"]
    return True, [f"danger now: {', '.join(found + urgent_found)}"]


def visiting_a_sight(norm: str) -> bool:
    """A question about visiting a sight or museum (hours, admission) with no word of transit in it."""
    return (cues.SIGHTS.score(norm)[0] > 0 and cues.VISITING.score(norm)[0] > 0
            and cues.TRANSIT_WORDS.score(norm)[0] == 0)


def complaint_category(norm: str) -> tuple[Category | None, float]:
    """The kind of problem the cues point to (None when none does) and its cue weight."""
    best, best_score, best_at = None, 0.0, len(norm)
    for name in _CATEGORY_ORDER:
        score, found = cues.CATEGORIES[name].score(norm)
        if not score:
            continue
        at = min(norm.find(f) for f in found)
        if score > best_score or (score == best_score and at < best_at):  # a tie: the first told wins
            best, best_score, best_at = name, score, at
    return (Category(best) if best else None), best_score


def read_intent(
    text: str,
    *,
    faq_score: float = 0.0,
    has_subject: bool = False,
    has_route: bool = False,
    norm: str | None = None,
) -> IntentReading:
    """The intent of ``text``.

    ``faq_score`` is the calibrated score of the best FAQ entry; ``has_subject`` says whether the
    message names a line or a stop, ``has_route`` whether it names a line.
    """
    norm = normalise(text) if norm is None else norm
    question = is_question(text, norm)
    reasons: list[str] = []
    emergency, why = is_emergency(norm)
    reasons += why
    category, category_score = complaint_category(norm)

    status, status_found = cues.STATUS.score(norm)
    faq_cue, faq_found = cues.FAQ.score(norm)
    thanks, thanks_found = cues.THANKS.score(norm)
    greeting, _ = cues.GREETING.score(norm)
    complaint, complaint_found = cues.COMPLAINT.score(norm)
    raw_complaint = complaint
    strong_complaint = cues.COMPLAINT.patterns[0][0].search(norm) is not None
    other, other_found = cues.OTHER.score(norm)
    sight = visiting_a_sight(norm) and not (has_subject and status > 0 and question)
    if sight:  # "a che ora apre il Pantheon?": not a question about the network, whatever the FAQ matched
        other += _SIGHT_WEIGHT
        faq_score = 0.0
        reasons.append("asks about visiting a sight, not about travelling")

    thanks += sum(1.0 for e in _HAPPY_EMOJI if e in text)
    angry = sum(2.5 for e in _ANGRY_EMOJI if e in text)
    complaint += angry
    strong_complaint = strong_complaint or angry > 0
    letters = sum(c.isalpha() for c in text)
    if letters >= 12 and sum(c.isupper() for c in text) > 0.7 * letters:
        complaint += 2.0  # shouting
        strong_complaint = True

    if _RUNS_ASKED.search(text):  # "la metro A va?": whether it runs, the plainest status question
        status, status_found = status + 2.0, [*status_found, "va?"]
    # A status cue beyond "today"/"still" is what makes a status question.
    status_core = status > 0 and any(f not in _TIME_WORDS for f in status_found)
    if not status_core:
        status = 0.0
    habitual = (question and cues.HABITUAL.score(norm)[0] > 0 and cues.NOW.score(norm)[0] == 0
                and not _RUNNING_NORMALLY.search(norm))
    if habitual:  # how the line usually runs: the timetable answers it
        status_core = False
        status *= 0.3
        reasons.append("asks how service usually runs")
    faq = faq_cue * (1.0 if faq_score >= _STRONG_FAQ else 0.5) + 5.0 * faq_score
    complaint += category_score * (0.5 if question and not strong_complaint else 1.0)
    reproach = _PROBLEM_TOLD.search(norm) is not None and (not question or _RHETORICAL.search(norm) is not None)
    if reproach:
        complaint += 3.0  # a problem measured or told as recurring, and no real question: a report
        strong_complaint = True

    if question:
        if status_core and not reproach:
            status += 1.5
        if faq_cue:
            faq += 1.0
        if not strong_complaint:
            complaint -= 2.0
        thanks -= 2.0
        if has_subject and not reproach and (
            status_core or not (faq_cue or (faq_score >= _KB_LIKELY and not has_route))
        ):
            status += 3.0
    else:
        status = status * 0.5 - 1.0  # a disruption told, not asked about, is a report
        faq -= 1.5

    sarcastic = thanks > 0 and (
        strong_complaint or complaint >= 2.0 or category_score >= 3.0
        or (_CLAP in text and (status_core or complaint > 0 or category_score > 0))
    )
    if sarcastic:
        reasons.append(f"thanks with a problem: sarcasm ({', '.join(thanks_found)})")
        complaint += thanks
        thanks = 0.0

    feedback = thanks + 0.8 * greeting
    if letters == 0 and not has_subject:
        other += 3.0
    scores = {
        Intent.STATUS: status,
        Intent.FAQ: faq,
        Intent.COMPLAINT: complaint,
        Intent.FEEDBACK: feedback,
        Intent.OTHER: other + 1.0,
        Intent.EMERGENCY: 100.0 if emergency else 0.0,
    }
    intent = max(scores, key=lambda i: scores[i])
    found = {Intent.STATUS: status_found, Intent.FAQ: faq_found, Intent.COMPLAINT: complaint_found,
             Intent.FEEDBACK: thanks_found, Intent.OTHER: other_found}.get(intent, [])
    if found:
        reasons.append(f"{intent} cues: {', '.join(found[:6])}")
    if intent == Intent.COMPLAINT:
        category = category or Category.OTHER
    else:
        category = None
    cautions = () if intent not in _ANSWERABLE else _cautions(
        text, norm, intent, strong_complaint=strong_complaint, complaint=raw_complaint,
        personal=cues.PERSONAL.score(norm)[0], question=question,
    )
    return IntentReading(intent, scores, category, question, tuple(reasons), cautions)


def _cautions(
    text: str,
    norm: str,
    intent: Intent,
    *,
    strong_complaint: bool,
    complaint: float,
    personal: float,
    question: bool,
) -> tuple[str, ...]:
    """Signs that an answer posted alone could be wrong even when the intent looks clear."""
    found: list[str] = []
    if strong_complaint:
        found.append("venting")
    elif complaint >= 2.0 and intent != Intent.FEEDBACK and not question:
        found.append("a problem told")
    if personal > 0:
        found.append("a personal case or a request for a person")
    if intent == Intent.FAQ and (cues.OUT_OF_SCOPE.score(norm)[0] > 0 or visiting_a_sight(norm)):
        found.append("words from outside the network")
    if _RHETORICAL.search(norm) or "!!" in text:
        found.append("rhetorical or exclaimed")
    if intent == Intent.STATUS and _PROBLEM_TOLD.search(norm):
        found.append("a problem told with its measure or its history")
    past_only = _PAST_TOLD.search(norm) is not None and cues.NOW.score(norm)[0] == 0
    past_problem = _PAST_TENSE.search(norm) is not None and complaint_category(norm)[1] > 0
    if intent == Intent.STATUS and (past_only or past_problem):
        found.append("a past experience told")
    if intent in (Intent.STATUS, Intent.FAQ) and not question:
        found.append("not asked as a question")
    if _PHONE_OR_EMAIL.search(text):
        found.append("contact details")
    return tuple(found)


# "avvisare no?", "vero?", "perché il 64 non passa mai?": a question that is really a reproach.
_RHETORICAL = re.compile(
    r"\b(?:no|o no|vero|eh|right|really|seriously)$|^(?:ma |e )?perche\b|^why\b|\b(?:ma perche|perche mai"
    r"|why on earth|ma quando mai|manco|nemmeno|neanche|mai una|never once|ma chi|siete seri|ma siete"
    r"|are you serious|are you kidding|you kidding|is this a joke|ma scherzate|ma stiamo scherzando)\b"
)
# "la metro A va?", "il 64 passa?": asking whether a line runs, on the raw text (the question mark counts).
_RUNS_ASKED = re.compile(r"\b(?:va|vanno|passa|passano|funziona|funzionano)\s*\?", re.IGNORECASE)
# "is tram 2 running normally?": the state now, not how the line usually runs.
_RUNNING_NORMALLY = re.compile(r"\b(?:running|working|operating|run|runs|funziona|funzionano|va|vanno) (?:normally"
                               r"|as normal|regolarmente|normalmente)\b")
# "in ritardo di mezz'ora", "rotto da giorni", "anche oggi": a problem measured or told as recurring is a report.
_PROBLEM_TOLD = re.compile(
    r"\b(?:ritardo|ritardi|late|delayed) (?:di|by) (?:mezz ora|un ora|\d+|oltre|piu di|over|more than)"
    r"|\bda (?:giorni|settimane|mesi|ore|un ora|mezz ora)\b|\bfor (?:days|weeks|months|hours|ages)\b"
    r"|\b(?:anche|pure|ancora una volta) (?:oggi|stamattina|stasera)\b|\bcome (?:sempre|al solito)\b"
    r"|\b(?:yet again|as always|every single day|tutti i giorni|ogni giorno)\b"
)
# A status question is about now or later: one set in the past only ("ieri", "last night") tells an experience.
_PAST_TOLD = re.compile(r"\b(?:ieri|yesterday|last night|l altra sera|l altro giorno|last week|settimana scorsa"
                        r"|giorni fa|days ago)\b")
# "the train was freezing", "il bus era pieno": a problem told in the past tense, past the opening word.
_PAST_TENSE = re.compile(r"(?<!^)\b(?:was|were|era|erano)\b")
_PHONE_OR_EMAIL = re.compile(r"\+\d{2}|\b3\d{2}[ .]?\d{6,7}\b|\b0\d{1,3}[ .]?\d{6,8}\b|[\w.]+@[\w-]+\.[a-z]{2,}")


_TIME_WORDS = frozenset({"ancora", "oggi", "today", "stamattina", "stasera", "tonight", "domani", "tomorrow",
                         "adesso", "right now", "this morning"})
