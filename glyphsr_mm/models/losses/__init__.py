from .confusion_ce import ConfusionWeightedCELoss, confusion_weight_table

__all__ = ["ConfusionWeightedCELoss", "confusion_weight_table"]
