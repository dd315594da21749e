"""Excel exports of filtered lists, with the column headers provincial offices use."""

from __future__ import annotations

from collections.abc import Iterable

from catalog import reference
from catalog.schemas import ProducerOut, ProductOut
from core.spreadsheets import workbook

PRODUCT_HEADERS = [
    "Mã QR", "Tên sản phẩm", "Chủ thể", "Tỉnh/thành", "Nhóm", "Phân nhóm", "Số sao", "Điểm",
    "Số giấy chứng nhận", "Cấp công nhận", "Cơ quan công nhận", "Ngày công nhận", "Ngày hết hạn",
    "Trạng thái", "Đơn vị tính", "Giá tham khảo (VND)", "Mã vạch",
]
PRODUCER_HEADERS = [
    "Tên chủ thể", "Loại hình", "Mã số thuế/ĐKKD", "Tỉnh/thành", "Xã/phường", "Địa chỉ",
    "Tỉnh cũ", "Huyện cũ", "Người liên hệ", "Điện thoại", "Email",
]


def products_workbook(products: Iterable[ProductOut]) -> bytes:
    def row(p: ProductOut) -> list:
        group = reference.groups().get(p.group_code)
        subgroup = reference.subgroups().get(p.subgroup_code)
        return [
            p.code, p.name, p.producer_name, p.province_name, group.name_vi if group else p.group_code,
            subgroup.name_vi if subgroup else p.subgroup_code, p.stars, p.score, p.certificate_number or "",
            p.certifying_level, p.certifying_body, p.certified_on, p.expires_on, p.status, p.unit,
            p.reference_price, p.barcode,
        ]

    return workbook("San pham", PRODUCT_HEADERS, (row(p) for p in products))


def producers_workbook(producers: Iterable[ProducerOut]) -> bytes:
    return workbook(
        "Chu the",
        PRODUCER_HEADERS,
        (
            [p.name, p.kind, p.registration_code or "", p.province_name, p.commune, p.address,
             p.legacy_province, p.legacy_district, p.contact_person, p.phone, p.email]
            for p in producers
        ),
    )


