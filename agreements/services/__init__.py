"""Agreements' services: each public function is one transaction, checked before it writes."""

from agreements.services.documents import articles_of, in_force, save_articles
from agreements.services.followup import (
    attach,
    attachment_file,
    mark_milestone,
    record_delivery,
    reschedule_milestone,
    sniff,
)
from agreements.services.partners import buyer_agreement, buyer_agreements, buyer_path, confirm_received
from agreements.services.records import (
    agreement_row,
    change_status,
    create_agreement,
    ensure_can_see,
    get_agreement,
    list_agreements,
    new_code,
    update_agreement,
)
from agreements.services.summaries import fair_summary, running_totals

__all__ = [
    "agreement_row", "attach", "attachment_file", "change_status", "create_agreement", "ensure_can_see", "fair_summary",
    "get_agreement", "list_agreements", "mark_milestone", "new_code", "record_delivery", "running_totals", "sniff",
    "update_agreement", "buyer_agreement", "buyer_agreements", "buyer_path", "confirm_received", "reschedule_milestone", "articles_of", "in_force", "save_articles",
]
