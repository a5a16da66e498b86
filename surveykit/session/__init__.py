"""The session layer: what every front end (terminal runner, kiosk, moderator
console, and the ones to come) talks to. It starts, resumes and finishes
sessions, walks the blocks of questions, times tasks and keeps the kiosk's
rules; it writes through a `SessionWriter` and never names a key or a screen.
See ARCHITECTURE.md.
"""
