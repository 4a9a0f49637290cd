"""E-mail medical reviewers about articles whose review is due within `--days` (30) or
overdue. A scheduler (cron, a systemd timer) may run it daily; nothing breaks without it:
the article list's "Review overdue" and "Due in the next 30 days" filters say the same.

Each article's reminder goes to the reviewer who last approved it (if their person has an
account with an e-mail address), else to the Medical reviewers group.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles import notifications
from articles.models import Article


class Command(BaseCommand):
    help = "E-mail reviewers about medical reviews due soon or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        due_by = timezone.localdate() + timedelta(days=days)
        sent = 0
        for article in Article.objects.filter(next_review_due__lte=due_by).order_by(
            "next_review_due"
        ):
            last = article.approvals.select_related("reviewer__user").first()
            user = last.reviewer.user if last is not None else None
            addresses = {user.email} if user is not None and user.email else set()
            addresses = addresses or notifications.group_addresses(notifications.REVIEWERS)
            sent += notifications.review_due(article, addresses)
        self.stdout.write(f"Sent {sent} reminder(s).")
