from procguide import __version__


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"procguide {__version__}\n"


def test_aftercare_default_is_plain_text_when_not_a_terminal(invoke):
    result = invoke("aftercare", "blood-patch")
    assert result.exit_code == 0, result.output
    assert "WHEN TO GET HELP" in result.stdout
    assert "Call 911 now" in result.stdout
