"""The gap and shift rules for partial, conditional and off-scale stances (issue 18), worked by
hand. The words are the ones /about states."""

from __future__ import annotations

from app.stances import Reading, Stance, gap_between, shift_from, shift_words

REJECTS = Reading(int(Stance.REJECTS))
OPEN_PARTIAL = Reading(int(Stance.OPEN), partial=True)
ACCEPTS = Reading(int(Stance.ACCEPTS))
ACCEPTS_PARTIAL = Reading(int(Stance.ACCEPTS), partial=True)
ACCEPTS_IF = Reading(int(Stance.ACCEPTS), conditional=True)
INSISTS = Reading(int(Stance.INSISTS))
RED_LINE = Reading(int(Stance.RED_LINE))
DECLINED = Reading(None, off_scale="declined")
AMBIGUOUS = Reading(None, off_scale="ambiguous")


def test_gaps_count_partial_and_conditional_stances_at_their_value() -> None:
    # insists (+2) against a partial accepts (+1): |2 − 1| = 1, as for a full accepts.
    assert gap_between(INSISTS, ACCEPTS_PARTIAL) == 1
    # red line (−2) against a conditional accepts (+1): |−2 − 1| = 3.
    assert gap_between(RED_LINE, ACCEPTS_IF) == 3
    # rejects (−1) against a partial open (0): 1.
    assert gap_between(REJECTS, OPEN_PARTIAL) == 1


def test_off_scale_answers_and_silence_measure_no_gap() -> None:
    assert gap_between(INSISTS, DECLINED) is None
    assert gap_between(AMBIGUOUS, RED_LINE) is None
    assert gap_between(INSISTS, None) is None


def test_the_truce_to_collect_the_dead_is_a_partial_shift_and_says_so() -> None:
    # rejects (−1) → open (0) for a local truce of 2–3 days: a shift, and it says "partial".
    previous = shift_from(REJECTS, OPEN_PARTIAL)
    assert previous == REJECTS
    assert shift_words(REJECTS, OPEN_PARTIAL) == (
        "Changed: was rejects \u2192 open / conditional (partial)"
    )


def test_going_from_partial_to_full_at_one_value_is_a_shift() -> None:
    # accepts (partial) → accepts: same value, but it now holds for the whole demand.
    assert shift_from(ACCEPTS_PARTIAL, ACCEPTS) == ACCEPTS_PARTIAL
    assert shift_words(ACCEPTS_PARTIAL, ACCEPTS) == "Changed: was accepts (partial) \u2192 accepts"


def test_a_new_condition_alone_is_not_a_shift() -> None:
    # accepts → accepts only if …: the same stance; the condition is in the statement's history.
    assert shift_from(ACCEPTS, ACCEPTS_IF) is None


def test_off_scale_answers_are_no_shift_either_way() -> None:
    assert shift_from(REJECTS, DECLINED) is None
    assert shift_from(DECLINED, ACCEPTS) is None  # the caller measures from the last stance
    assert shift_from(None, ACCEPTS) is None  # a first position is new, not a shift


def test_words_say_the_qualifiers_and_the_off_scale_answers() -> None:
    assert Reading(0, partial=True, conditional=True).words() == (
        "open / conditional (partial, conditional)"
    )
    assert DECLINED.words() == "declined to say"
    assert AMBIGUOUS.words() == "ambiguous"
