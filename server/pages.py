"""HTML pages: the hosted card form."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, url_for

from .auth import cookie_customer, issue_customer_token

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return redirect(url_for("pages.card_form"))


@bp.get("/pay")
def card_form():
    g.page = True
    customer = cookie_customer()
    return render_template("card_form.html", customer_token=issue_customer_token(customer),
                           currency=current_app.config["CURRENCY"])
