"""Lesson room: applications (lesson 10: forecasting, a row-by-row classifier, a sentence classifier, anomaly detection).

    checks.py  the checks the lesson's test cells call (windows, split, scaling, naive forecast, MASE,
               classify_rows, pad_batch, masked_mean, last_valid, anomaly scores, threshold, precision/recall)
    tasks.py   data only this lesson uses: the labelled Austen sentences (loader, tokenizer, vocabulary),
               a seeded periodic signal and labelled injected anomalies
    models.py  the row-by-row classifier: classify_rows (numpy reference the check compares with) and
               RowLSTMClassifier, its torch twin that the lesson trains; for text, pad_batch, masked_mean and
               last_valid (numpy references), SentenceLSTM (torch) and the naive Bayes bag-of-words baseline
    plots.py   figures: forecasts, an image read as a sequence, detections, precision-recall curves

The forecasting and anomaly references themselves are textbook modules (lstmlab.series,
lstmlab.anomaly); the sunspot and digit loaders are lstmlab.datasets, the sentence loader is tasks.py.
"""
