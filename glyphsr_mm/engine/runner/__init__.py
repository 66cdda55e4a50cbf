from .fast_resume_train_loop import FastResumeIterBasedTrainLoop

__all__ = ['FastResumeIterBasedTrainLoop']
