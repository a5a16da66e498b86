"""A file in several languages on the full screen: the kiosk's language picker
(reset to the default after each person) and a German `run`."""

from __future__ import annotations

from pathlib import Path

from surveykit.definition.loader import in_language, load
from surveykit.storage.store import Store
from surveykit.tui.run_app import RunApp
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen

try:
    from .test_kiosk_support import SIZE, kiosk
    from .test_run_support import FakeClock, screen_text
except ImportError:
    from test_kiosk_support import SIZE, kiosk  # type: ignore[no-redef]
    from test_run_support import FakeClock, screen_text  # type: ignore[no-redef]

SHOP = """\
surveykit: 1
id: shop
languages: [en, fr, de]
title: {en: How was your visit?, fr: Comment s'est passée votre visite ?, de: Wie war Ihr Besuch?}
outro: {en: Thank you!, fr: Merci !, de: Danke!}
questions:
  - id: visit
    type: choice
    text: {en: What brought you in?, fr: Qu'est-ce qui vous amène ?, de: Was führte Sie zu uns?}
    options:
      - {en: Browsing, fr: Flâner, de: Stöbern}
      - {en: A gift, fr: Un cadeau, de: Ein Geschenk}
kiosk:
  idle_reset_s: 45
  thank_you_s: 6
  welcome: {en: Press any key, fr: Appuyez sur une touche, de: Bitte eine Taste drücken}
"""


async def test_the_kiosk_offers_the_languages_and_returns_to_the_default(tmp_path: Path) -> None:
    k = kiosk(tmp_path, SHOP)
    async with k.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        text = k.text()
        for part in ("Press any key", "1 English", "2 Français", "3 Deutsch"):
            assert part in text, part
        await k.later(pilot, 1)
        await pilot.click("#kiosk-lang-2")  # a tap on Français
        await pilot.pause()
        assert k.app.phase == "survey"
        text = k.text()
        assert "Qu'est-ce qui vous amène ?" in text and "Flâner" in text
        assert "Question 1 sur 1" in text and "Terminer ✓" in text
        await k.keys(pilot, "2", "enter")
        assert k.app.phase == "thanks" and "Merci !" in k.text()
        await k.later(pilot, 7)
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        await k.later(pilot, 1)
        await k.keys(pilot, "x")  # any other key: the default language
        assert "What brought you in?" in k.text()
        await k.keys(pilot, "2", "enter")
        await k.later(pilot, 7)
        await k.later(pilot, 1)
        await k.keys(pilot, "3")  # the digit of Deutsch
        assert "Was führte Sie zu uns?" in k.text()
    sessions = k.sessions()
    assert [s["language"] for s in sessions] == ["fr", "en", "de"]
    # the same stored value in every language: the answers pool
    assert k.answers(sessions[0]["id"]) == k.answers(sessions[1]["id"]) == {"visit": "A gift"}


async def test_a_german_run(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    definition = in_language(load(str(path)), "de")
    clock = FakeClock()
    with Store(str(tmp_path / "x.db"), wall=clock.wall, mono=clock) as store:
        app = RunApp(definition, store, mono=clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            for part in ("Wie war Ihr Besuch?", "Was führte Sie zu uns?", "Ein Geschenk", "Frage 1 von 1", "Fertig ✓", "← Zurück"):
                assert part in text, part
            await pilot.press("1", "enter")
            await pilot.pause()
            await pilot.pause()
        (session,) = store.sessions("shop")
        assert session.language == "de"
        assert store.answers(session.id)[("", "visit")].value == "Browsing"


async def test_a_french_customer_sees_french_kiosk_screens(tmp_path: Path) -> None:
    """"Still there?" and the default thank-you come from the catalogue, in the
    language picked on the welcome screen."""
    k = kiosk(tmp_path, SHOP.replace("outro: {en: Thank you!, fr: Merci !, de: Danke!}\n", ""))
    async with k.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await k.later(pilot, 1)
        await pilot.click("#kiosk-lang-2")  # Français
        await pilot.pause()
        await k.later(pilot, 30.1)  # idle: the countdown
        text = k.text()
        assert "Vous êtes toujours là ?" in text and "Touchez pour continuer" in text
        assert "Ce questionnaire recommencera dans 15 secondes." in text
        await k.keys(pilot, "x")  # carries on
        await k.keys(pilot, "2", "enter")
        assert k.app.phase == "thanks"
        assert "Merci ! Vos réponses ont été enregistrées." in k.text()
