"""What a Party says: the questionnaire, answers files (read, checked, written, merged, upgraded,
blank), the amendments that bills would make, the law in force on a date, and where a round's files live.

May import: ``engine.common``."""
