from django.utils.text import slugify


def vi_slugify(value: str, max_length: int = 80) -> str:
    """ASCII slug of Vietnamese text: "Chuyển đổi số" → "chuyen-doi-so". Django's slugify
    drops "đ", which has no Unicode decomposition, so map it first."""
    value = value.replace("đ", "d").replace("Đ", "D")
    return slugify(value)[:max_length].strip("-")
