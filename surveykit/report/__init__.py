"""The HTML report of a scored database (`surveykit report`): see `html.build`."""
