"""The plain front end: a survey asked line by line, for screen readers, braille
displays, `TERM=dumb` consoles and scripts (`surveykit run --plain`).

No Textual, no cursor movement, no colour: it prints lines and reads lines, and
works with stdin and stdout as pipes. Everything a session does is the session
layer's (`RunOpener`, `SurveySession.next_block`, `QuestionRun`), exactly as in
the full-screen runner, so the database holds the same rows for the same answers.
"""
