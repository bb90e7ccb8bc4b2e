"""The frame an agency starts with, after Decree 18/2014/NĐ-CP (docs/royalties.md says
which figure comes from which article, and which are the agency's own choice). Every
agency edits its own copy in Snippets → Nhuận bút."""

from decimal import Decimal

from .models import Medium

# (medium, genre, min, max). The decree sets maxima only; the minimum of 1 is the agency's.
GENRES = [
    # Phụ lục I: báo in, báo điện tử.
    (Medium.PRESS, "Tin, trả lời bạn đọc", 1, 10),
    (Medium.PRESS, "Tranh, ảnh", 1, 10),
    (Medium.PRESS, "Chính luận (xã luận, bình luận)", 1, 30),
    (Medium.PRESS, "Phóng sự, ký (một kỳ)", 1, 30),
    (Medium.PRESS, "Phỏng vấn", 1, 30),
    (Medium.PRESS, "Sáng tác văn học", 1, 30),
    (Medium.PRESS, "Nghiên cứu", 1, 30),
    (Medium.PRESS, "Trực tuyến, đa phương tiện", 1, 50),
    # Phụ lục II: phát thanh, truyền hình (to be checked against the annex: see docs).
    (Medium.RADIO, "Tin phát thanh", 1, 10),
    (Medium.RADIO, "Bản tin phát thanh (biên tập, tổng hợp)", 1, 10),
    (Medium.RADIO, "Phóng sự, ký sự phát thanh", 1, 30),
    (Medium.RADIO, "Phỏng vấn, tọa đàm, bình luận phát thanh", 1, 30),
    (Medium.TV, "Tin truyền hình", 1, 10),
    (Medium.TV, "Bản tin truyền hình (biên tập, tổng hợp)", 1, 10),
    (Medium.TV, "Phóng sự truyền hình", 1, 30),
    (Medium.TV, "Phỏng vấn, tọa đàm, bình luận truyền hình", 1, 30),
    (Medium.TV, "Phim tài liệu, chương trình nhiều kỳ (mỗi kỳ)", 1, 50),
]

# (name, percent of the royalty). The first is the decree's ceiling for works made in
# difficult or dangerous conditions; the others are an agency's usual internal rules.
EXTRAS = [
    ("Thực hiện trong điều kiện khó khăn, nguy hiểm (bão lũ, dịch bệnh)", Decimal(100)),
    ("Địa bàn miền núi, biên giới, đặc biệt khó khăn", Decimal(30)),
    ("Tác phẩm độc quyền", Decimal(20)),
    ("Tác phẩm sử dụng lại (đăng lại của cơ quan khác)", Decimal(-50)),
]
