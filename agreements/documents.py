"""The articles of each kind of agreement: the text offices sign, as data an organizer can edit.

Each kind has a heading and a numbered list of articles (title, body). A body is paragraphs, one per
line; a line holding only a placeholder is replaced by what the record says: `{goods}` the table of
products, quantities and values, `{schedule}` the delivery milestones, `{term}` the term, `{copies}`
how many copies are made. Saved texts are versioned (agreements.tables.AgreementTemplate) and an
agreement keeps the version it was signed with. Pure: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agreements.enums import AgreementKind

PLACEHOLDERS = ("goods", "schedule", "term", "copies")
MAX_ARTICLES = 20
MAX_BODY = 4000

_RESOLUTION = ("Tranh chấp được giải quyết trước hết bằng thương lượng; nếu không thương lượng được, một bên có quyền "
               "yêu cầu Tòa án nhân dân có thẩm quyền giải quyết theo quy định của pháp luật.")
_FORCE_MAJEURE = ("Bên gặp sự kiện bất khả kháng (thiên tai, dịch bệnh, quyết định của cơ quan có thẩm quyền…) thông báo "
                  "cho bên kia trong vòng 07 ngày và được miễn trách nhiệm đối với phần nghĩa vụ bị ảnh hưởng.")


@dataclass(frozen=True)
class Heading:
    title: str  # the document's name, printed in capitals
    agree: str  # "…các bên thống nhất <agree> với các điều khoản sau"


HEADINGS = {
    AgreementKind.memorandum: Heading("BIÊN BẢN GHI NHỚ HỢP TÁC", "ký biên bản ghi nhớ hợp tác tiêu thụ sản phẩm OCOP"),
    AgreementKind.offtake: Heading("HỢP ĐỒNG MUA BÁN HÀNG HÓA", "ký hợp đồng mua bán sản phẩm OCOP"),
    AgreementKind.distribution: Heading("HỢP ĐỒNG PHÂN PHỐI SẢN PHẨM", "ký hợp đồng phân phối sản phẩm OCOP"),
    AgreementKind.consignment: Heading("HỢP ĐỒNG KÝ GỬI HÀNG HÓA", "ký hợp đồng ký gửi sản phẩm OCOP"),
}

DEFAULT_ARTICLES: dict[AgreementKind, tuple[tuple[str, str], ...]] = {
    AgreementKind.memorandum: (
        ("Sản phẩm, số lượng và giá trị dự kiến",
         "{goods}\nSố lượng và giá trị trên là dự kiến; số lượng, giá và thời gian giao hàng cụ thể của từng đợt được "
         "các bên thống nhất bằng đơn đặt hàng hoặc hợp đồng mua bán."),
        ("Chất lượng và ghi nhãn sản phẩm OCOP",
         "Bên B bảo đảm sản phẩm đúng tiêu chuẩn đã công bố, giấy chứng nhận sản phẩm OCOP còn hiệu lực trong thời gian "
         "hợp tác; nhãn hàng hóa và biểu trưng OCOP được sử dụng đúng quy định. Khi chứng nhận hết hiệu lực hoặc bị thu "
         "hồi, Bên B thông báo ngay cho Bên A."),
        ("Thời hạn và tiến độ", "{term}\n{schedule}"),
        ("Trách nhiệm của các bên",
         "Bên A giới thiệu, tiêu thụ sản phẩm của Bên B qua hệ thống của mình và thông tin kịp thời về nhu cầu thị trường. "
         "Bên B chuẩn bị nguồn hàng ổn định, giao hàng đúng chất lượng đã thỏa thuận và cung cấp đủ hồ sơ sản phẩm."),
        ("Điều khoản chung",
         "Biên bản ghi nhớ thể hiện ý chí hợp tác của các bên; mọi sửa đổi, bổ sung được các bên thống nhất bằng văn bản. "
         "Vướng mắc phát sinh được giải quyết trên tinh thần thương lượng, hợp tác.\n{copies}"),
    ),
    AgreementKind.offtake: (
        ("Hàng hóa, số lượng, đơn giá và giá trị hợp đồng",
         "{goods}\nGiá trên đã bao gồm thuế giá trị gia tăng theo quy định, trừ khi các bên ghi chú khác."),
        ("Chất lượng, quy cách và ghi nhãn",
         "Hàng hóa đúng tiêu chuẩn chất lượng đã công bố, giấy chứng nhận sản phẩm OCOP còn hiệu lực tại thời điểm giao "
         "hàng; bao bì, nhãn hàng hóa và biểu trưng OCOP đúng quy định. Hàng không đạt được Bên B đổi hoặc nhận lại bằng "
         "chi phí của mình."),
        ("Giá và phương thức thanh toán",
         "Bên A thanh toán cho Bên B bằng chuyển khoản trong thời hạn ……… ngày kể từ ngày nhận đủ hàng và hóa đơn hợp lệ "
         "của từng đợt giao."),
        ("Giao nhận hàng hóa",
         "Địa điểm giao hàng: ……………………………………………. Tiến độ giao hàng:\n{schedule}\n"
         "Mỗi đợt giao nhận được lập biên bản có xác nhận của hai bên."),
        ("Trách nhiệm của các bên",
         "Bên B giao hàng đúng số lượng, chất lượng và thời hạn; cung cấp hóa đơn, chứng từ hợp lệ. Bên A nhận hàng, kiểm "
         "tra và thanh toán đúng hạn; thông báo bằng văn bản khi hàng không đạt yêu cầu."),
        ("Bất khả kháng", _FORCE_MAJEURE),
        ("Giải quyết tranh chấp", _RESOLUTION),
        ("Hiệu lực hợp đồng", "{term}\n{copies}"),
    ),
    AgreementKind.distribution: (
        ("Sản phẩm phân phối và sản lượng cam kết", "{goods}"),
        ("Phạm vi và hình thức phân phối",
         "Bên A phân phối sản phẩm của Bên B tại địa bàn: ……………………………………… qua hệ thống bán hàng của mình. "
         "Quyền phân phối là không độc quyền, trừ khi các bên thỏa thuận khác bằng văn bản."),
        ("Chất lượng và ghi nhãn sản phẩm OCOP",
         "Bên B bảo đảm sản phẩm đạt tiêu chuẩn đã công bố, giấy chứng nhận OCOP còn hiệu lực; nhãn hàng hóa và biểu "
         "trưng OCOP đúng quy định. Bên A không thay đổi bao bì, nhãn mác của sản phẩm."),
        ("Giá, chiết khấu và thanh toán",
         "Giá giao cho Bên A như Điều 1; giá bán lẻ khuyến nghị và mức chiết khấu: ……………. Thanh toán theo từng đợt, "
         "trong thời hạn ……… ngày kể từ ngày giao hàng."),
        ("Tiến độ giao hàng", "{schedule}"),
        ("Trách nhiệm của các bên",
         "Bên A quảng bá, trưng bày sản phẩm, báo cáo tình hình tiêu thụ định kỳ. Bên B bảo đảm nguồn hàng, hỗ trợ tài "
         "liệu quảng bá và thu hồi sản phẩm lỗi."),
        ("Bất khả kháng và giải quyết tranh chấp", f"{_FORCE_MAJEURE}\n{_RESOLUTION}"),
        ("Hiệu lực hợp đồng", "{term}\n{copies}"),
    ),
    AgreementKind.consignment: (
        ("Hàng hóa ký gửi", "{goods}\nHàng ký gửi thuộc quyền sở hữu của Bên B cho đến khi được bán cho người mua."),
        ("Chất lượng và ghi nhãn sản phẩm OCOP",
         "Bên B bảo đảm sản phẩm đạt tiêu chuẩn đã công bố, giấy chứng nhận OCOP còn hiệu lực, hạn sử dụng còn đủ để bán; "
         "nhãn hàng hóa và biểu trưng OCOP đúng quy định."),
        ("Giá bán, hoa hồng và thanh toán",
         "Bên A bán theo giá do Bên B quy định; hoa hồng của Bên A: ……… % doanh thu bán hàng. Hằng tháng, Bên A đối chiếu "
         "số hàng đã bán, hàng còn lại và thanh toán cho Bên B số tiền hàng đã bán sau khi trừ hoa hồng trong thời hạn "
         "……… ngày."),
        ("Giao nhận, bảo quản và trả lại hàng",
         "{schedule}\nBên A bảo quản hàng theo hướng dẫn của Bên B; hàng gần hết hạn hoặc không bán được được trả lại cho "
         "Bên B theo biên bản."),
        ("Trách nhiệm của các bên",
         "Bên A trưng bày, bán hàng và ghi chép trung thực số hàng bán, tồn. Bên B cung cấp hàng đúng thỏa thuận và nhận lại "
         "hàng lỗi, hàng trả lại."),
        ("Bất khả kháng và giải quyết tranh chấp", f"{_FORCE_MAJEURE}\n{_RESOLUTION}"),
        ("Hiệu lực hợp đồng", "{term}\n{copies}"),
    ),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Block:
    """A piece of an article's body: a paragraph of text, or what a placeholder stands for."""

    kind: str  # "text" or a placeholder's name
    text: str = ""


def blocks(body: str) -> list[Block]:
    """An article's body as the document prints it: one paragraph per line, placeholders on their own."""
    out = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        found = _PLACEHOLDER.fullmatch(line)
        out.append(Block(found.group(1)) if found and found.group(1) in PLACEHOLDERS else Block("text", line))
    return out


def problems(articles: list[tuple[str, str]]) -> dict[str, str]:
    """What keeps a set of articles from being saved, by field ("articles.N.title"); empty when none."""
    found: dict[str, str] = {}
    if not articles:
        found["articles"] = "empty"
    if len(articles) > MAX_ARTICLES:
        found["articles"] = "too_many"
    for number, (title, body) in enumerate(articles):
        if not title.strip() or len(title) > 255:
            found[f"articles.{number}.title"] = "title"
        if not body.strip() or len(body) > MAX_BODY:
            found[f"articles.{number}.body"] = "body"
        unknown = sorted(set(_PLACEHOLDER.findall(body)) - set(PLACEHOLDERS))
        if unknown:
            found[f"articles.{number}.body"] = "placeholder:" + ",".join(unknown)
    return found
