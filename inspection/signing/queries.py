"""Reading digital signatures: a document's, and those the register shows."""

from sqlalchemy import select

from models import Document, DocumentSignature, db

ORDER = ("personal", "agency")


def signatures_of(document: Document) -> list[DocumentSignature]:
    """Every signature the document received, newest first."""
    stmt = select(DocumentSignature).where(DocumentSignature.document_id == document.id)
    return list(db.session.execute(stmt.order_by(DocumentSignature.id.desc())).scalars())


def current_signatures(documents: list[Document]) -> dict[int, list[DocumentSignature]]:
    """Per document (one statement): its latest personal and latest agency signature."""
    if not documents:
        return {}
    stmt = select(DocumentSignature).where(DocumentSignature.document_id.in_([d.id for d in documents]))
    latest: dict[tuple[int, str], DocumentSignature] = {}
    for row in db.session.execute(stmt.order_by(DocumentSignature.id.desc())).scalars():
        latest.setdefault((row.document_id, row.role), row)
    return {d.id: [latest[d.id, r] for r in ORDER if (d.id, r) in latest] for d in documents}
