"use strict";
// Oscar's storefront set-up (oscar/js/oscar/ui.js), which Oscar's layout runs from an inline script:
// here it is a file, so that storefront and blog pages need no inline script and no CSP nonce.
// Pages with code of their own in an `onbodyload` block run it after this (jQuery keeps the order).
$(function () {
    oscar.init();
});
