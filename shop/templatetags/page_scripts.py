"""`{% onload_script %}…{% endonload_script %}`: the code Oscar's templates put in their
`onbodyload` blocks, run once the page is ready, in an inline script carrying the response's
Content-Security-Policy nonce. When the blocks are empty there is no script and no nonce, so a
page that needs none (every storefront and blog page the page cache keeps) has a nonce-free
policy that a cached copy can be replayed with.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.tag
def onload_script(parser, token):
    nodelist = parser.parse(("endonload_script",))
    parser.delete_first_token()
    return OnLoadScriptNode(nodelist)


class OnLoadScriptNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        code = self.nodelist.render(context)
        if not code.strip():
            return ""
        request = context.get("request")
        nonce = getattr(request, "csp_nonce", "") if request is not None else ""
        return format_html(
            '<script nonce="{}">\n$(function() {{\n{}\n}});\n</script>',
            str(nonce),
            mark_safe(code.strip()),  # the blocks' own output, escaped as they rendered it
        )
