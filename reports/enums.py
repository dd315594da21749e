"""Enumerations of the reports module, with their labels for pages."""

import enum

from core.errors import N_


class ReportKind(str, enum.Enum):
    fair_outcome = "fair_outcome"  # báo cáo kết quả hội chợ
    salespoint_monthly = "salespoint_monthly"  # báo cáo tháng điểm bán
    agreement_followup = "agreement_followup"  # báo cáo theo dõi thực hiện biên bản


LABELS = (
    (ReportKind.fair_outcome, N_("Fair outcome report")),
    (ReportKind.salespoint_monthly, N_("Sales-point monthly report")),
    (ReportKind.agreement_followup, N_("Agreement follow-up report")),
)
