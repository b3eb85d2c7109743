"""One room per lesson: what only that lesson uses (its checks, tasks, models, plots, experiments)."""
