"""`{% basket_line form %}`: one line of the basket page, written out directly.

The basket and its quantity changes show every line on every view; through the template engine a
line cost about 3,000 Python calls (three nested `{% with %}`, two `{% blocktrans %}`, a dozen
lookups and filters), the larger part of the page. Here it is one format string filled from the
same sources the template read: the line's price and stock words (catalogue.buying), its picture
(`{% product_picture %}`), its inputs (`{% plain_input %}`) and Oscar's formset form, whose errors
and prefix the POST is read back with.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalogue import buying
from catalogue.templatetags.buying import shown_price
from catalogue.templatetags.product_media import product_picture
from shop.money import currency

from .line_forms import escaped, plain_input

register = template.Library()

# Every field is escaped (or is markup built from escaped parts) before it goes in.
LINE = """<li class="basket-line{has_error}">
    {id_input}
    <a class="basket-line__image" href="{url}" tabindex="-1" aria-hidden="true">
        {picture}
    </a>
    <div class="basket-line__body">
        <h3 class="basket-line__title"><a href="{url}">{title}</a></h3>
        <p class="basket-line__unit">
            {unit_price}
            <span class="basket-line__stock stock-state--{stock_code}">{stock_label}</span>
        </p>
        {errors}
        <div class="basket-line__controls">
            <div class="qty-stepper">
                <button type="button" class="qty-stepper__btn" data-step="-1" data-for="{quantity_id}"
                        aria-label="{one_fewer}">\u2212</button>
                {quantity_input}
                <button type="button" class="qty-stepper__btn" data-step="1" data-for="{quantity_id}"
                        aria-label="{one_more}">+</button>
            </div>
            <button type="submit" class="btn btn-outline-primary basket-line__update">{update}</button>
            <button type="submit" name="{prefix}-DELETE" value="on" class="btn basket-line__remove">
                <span aria-hidden="true">✕</span> {remove}<span class="sr-only">: {title}</span>
            </button>
            {save_for_later}
        </div>
    </div>
    <p class="basket-line__total">
        <span class="sr-only">{subtotal}:</span>
        {line_total}
    </p>
</li>"""

SAVE_FOR_LATER = (
    '<button type="submit" name="{prefix}-save_for_later" value="on" '
    'class="btn btn-link basket-line__later">{label}<span class="sr-only">: {title}</span></button>'
)


@register.simple_tag(takes_context=True)
def basket_line(context, form) -> str:
    """The line card for one of the basket formset's forms."""
    line = form.instance
    info = line.purchase_info
    title = escaped(line.description)
    prefix = escaped(form.prefix)
    stock = buying.stock_state(info)
    price = shown_price(info.price)  # empty without a price
    user = context.get("user")
    errors = "".join(
        f'<p class="basket-line__error" role="alert">{escaped(error)}</p>'
        for field_errors in form.errors.values()
        for error in field_errors
    )
    line_total = line.line_price_incl_tax if line.is_tax_known else line.line_price_excl_tax
    return mark_safe(
        LINE.format(
            has_error=" has-error" if form.errors else "",
            id_input=plain_input(form["id"]),
            url=escaped(line.product.get_absolute_url()),
            picture=product_picture(line.picture, size="thumb", alt=""),
            title=title,
            unit_price=_("%(price)s each") % {"price": escaped(price)} if price else "",
            stock_code=escaped(stock.code),
            stock_label=escaped(stock.label),
            errors=errors,
            quantity_id=escaped(form["quantity"].auto_id),
            one_fewer=_("One fewer %(title)s") % {"title": title},
            one_more=_("One more %(title)s") % {"title": title},
            quantity_input=plain_input(form["quantity"]),
            update=escaped(_("Update")),
            prefix=prefix,
            remove=escaped(_("Remove")),
            save_for_later=(
                SAVE_FOR_LATER.format(
                    prefix=prefix, label=escaped(_("Save for later")), title=title
                )
                if user is not None and user.is_authenticated
                else ""
            ),
            subtotal=escaped(_("Subtotal")),
            line_total=escaped(currency(line_total, line.price_currency)),
        )
    )
