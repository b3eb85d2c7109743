"""Lesson room: applications (lesson 10: forecasting, a row-by-row classifier, anomaly detection).

    checks.py  the checks the lesson's test cells call (windows, split, scaling, naive forecast, MASE,
               classify_rows, anomaly scores, threshold, precision/recall)
    tasks.py   seeded data only this lesson uses: a periodic signal and labelled injected anomalies
    models.py  the row-by-row classifier: classify_rows (numpy reference the check compares with) and
               RowLSTMClassifier, its torch twin that the lesson trains
    plots.py   figures: forecasts, an image read as a sequence, detections, precision-recall curves

The forecasting and anomaly references themselves are textbook modules (lstmlab.series,
lstmlab.anomaly); the data loaders are lstmlab.datasets.
"""
