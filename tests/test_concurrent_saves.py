"""Two editors pressing Save at the same instant: one save wins, the other is refused."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.admin_forms import open_form


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_saves_never_both_pass(django_user_model, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    clients, forms = [], []
    for name in ["alice", "bea"]:
        user = django_user_model.objects.create_superuser(name, "", f"{name}-long-password")
        client = Client()
        client.force_login(user)
        clients.append(client)
    for client in clients:
        forms.append(open_form(client, url))  # both open the same revision
    for name, form in zip(["alice", "bea"], forms, strict=True):
        form["sections-0-body"] = f"{name} was here."

    start = threading.Barrier(2)
    statuses = {}

    def save(name, client, form):
        try:
            start.wait()
            statuses[name] = client.post(url, form).status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(name, client, form))
        for name, client, form in zip(["alice", "bea"], clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # One save went through (302); the other was refused with the form (200).
    assert sorted(statuses.values()) == [200, 302], statuses
    winner = next(name for name, status in statuses.items() if status == 302)
    assert seed_article.sections.first().body == f"{winner} was here."
