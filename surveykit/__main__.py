"""`python -m surveykit`."""

from surveykit.cli import main

if __name__ == "__main__":
    main()
