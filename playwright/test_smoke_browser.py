def test_chromium_runs(page):
    page.set_content("<p id=x>hi</p>")
    assert page.inner_text("#x") == "hi"
