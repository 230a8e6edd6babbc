"""The reply to the questionnaire as a Word document: A4, British English, numbered pages, the notice
boxed under the title and on every page, a heading per chapter with its approval state."""

from __future__ import annotations

import io

from selfcheck.engine.documents.word import box, set_up
from selfcheck.engine.team.reply import Reply

QUESTION_GAP = 12  # points before each question: more than within it, so each source stays with its question


def render_reply_docx(reply: Reply) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    set_up(
        document,
        title=reply.title,
        author=reply.party,
        subject=reply.questionnaire_title,
        language=reply.language,
        header=reply.running_header,
        keywords=f"{reply.party}; reply; national self-assessment",
        comments=reply.provenance,
    )
    document.add_paragraph(reply.title, style="Title")
    notice = document.add_paragraph()
    notice.add_run(reply.notice).bold = True
    box(notice)
    document.add_paragraph(reply.questionnaire_title, style="Subtitle")
    document.add_paragraph(f"{reply.as_of} {reply.state_line}")
    for chapter in reply.chapters:
        document.add_heading(chapter.heading, level=1)
        state = document.add_paragraph()
        state.add_run(chapter.state).italic = True
        for section in chapter.sections:
            document.add_heading(section.heading, level=2)
            for answer in section.answers:
                # A question, its answer, source and note read as one: close together, kept on one
                # page, and apart from the next question.
                question = document.add_paragraph()
                question.paragraph_format.keep_with_next = True
                question.paragraph_format.space_before, question.paragraph_format.space_after = Pt(QUESTION_GAP), Pt(2)
                question.add_run(f"{answer.number} ").bold = True
                question.add_run(answer.prompt)
                extras = [(label, text) for label, text in ((reply.labels["source"], answer.source), (reply.labels["note"], answer.note)) if text]
                lines = [document.add_paragraph(text, style="Quote") for text in answer.paragraphs]
                if not answer.paragraphs:
                    line = document.add_paragraph()
                    line.add_run(f"{reply.labels['answer']}: ").bold = True
                    line.add_run(answer.answer)
                    lines = [line]
                for label, text in extras:
                    extra = document.add_paragraph()
                    extra.paragraph_format.left_indent = Pt(12)
                    run = extra.add_run(f"{label}: ")
                    run.bold, run.font.size = True, Pt(9)
                    extra.add_run(text).font.size = Pt(9)
                    lines.append(extra)
                for line in lines:
                    line.paragraph_format.space_before, line.paragraph_format.space_after = Pt(0), Pt(2)
                    line.paragraph_format.keep_with_next = line is not lines[-1]
    provenance = document.add_paragraph()
    provenance.paragraph_format.space_before = Pt(24)
    run = provenance.add_run(reply.provenance)
    run.italic, run.font.size = True, Pt(8)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()
