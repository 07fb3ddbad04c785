// Listing forms marked data-autosubmit apply as soon as a filter or the sort order changes;
// without JavaScript their submit buttons do the same.
document.documentElement.classList.add("js");
document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
  form.addEventListener("change", () => form.requestSubmit());
});
