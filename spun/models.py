from django.db import models
from django.utils.translation import gettext_lazy as _


class SpunCheck(models.Model):
    """
    The verdict on an article that looks spun (伪原创): only suspected
    articles have one, so the desk's filter is one indexed join. Kept in step
    with the article's text by spun.checks; what the desk shows in the change
    form is computed afresh from the current text.
    """

    article = models.OneToOneField(
        "articles.Article",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="spun_check",
        verbose_name=_("article"),
    )
    score = models.FloatField(_("score"))
    phrases = models.JSONField(
        _("suspect phrases"), default=list, help_text=_("Each with its likely original.")
    )
    checked_at = models.DateTimeField(_("checked"), auto_now=True)

    class Meta:
        verbose_name = _("suspected spun article")
        verbose_name_plural = _("suspected spun articles")

    def __str__(self):
        return f"{self.article_id}: {self.score}"
