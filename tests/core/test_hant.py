"""Traditional Chinese made from the Simplified original, cached by content."""

from django.core.cache import cache

from core.hant import cache_key, in_language, to_traditional


def test_text_is_converted_with_taiwan_phrasing_and_the_reviewed_corrections():
    assert to_traditional("下载软件，查看短信里的验证码") == "下載軟體，檢視簡訊裡的驗證碼"
    # Corrections from locale/zh_Hant/overrides.toml: 帳 for accounts, 代碼 for codes.
    assert to_traditional("不存在“安全账户”") == "不存在「安全帳戶」"
    assert to_traditional("县区代码") == "縣區代碼"


def test_a_text_is_converted_once_then_read_from_the_cache():
    text = "冒充公检法的骗子会让您把钱转到“安全账户”。"
    key = cache_key(text)
    cache.delete(key)

    first = to_traditional(text)

    assert first == "冒充公檢法的騙子會讓您把錢轉到「安全帳戶」。"
    assert cache.get(key) == first  # stored under the content's hash
    # A second reading is a cache hit, not a new conversion: what the cache holds is served.
    cache.set(key, "（已快取）", 60)
    assert to_traditional(text) == "（已快取）"
    cache.delete(key)


def test_an_edited_text_has_a_key_of_its_own():
    assert cache_key("第一课") != cache_key("第一课。")
    assert cache_key("第一课") == cache_key("第一课")


def test_only_zh_hant_readers_get_the_conversion():
    assert in_language("软件", "zh-hant") == "軟體"
    assert in_language("软件", "zh-hans") == "软件"
    assert in_language("软件", None) == "软件"
    assert to_traditional("Plain English stays") == "Plain English stays"
