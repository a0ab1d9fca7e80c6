// The change list's author and tag filters (articles/admin_changelist.py, AutocompleteListFilter):
// choosing in the autocomplete box opens the list filtered by that author or tag, as a link in the
// sidebar would; clearing the box removes the filter. From the first page: the old page number
// may not exist in the new list.
'use strict';
window.addEventListener('load', () => {
    django.jQuery('select[data-filter-parameter]').on('change', function() {
        const address = new URL(window.location.href);
        address.searchParams.delete('p');
        if (this.value) {
            address.searchParams.set(this.dataset.filterParameter, this.value);
        } else {
            address.searchParams.delete(this.dataset.filterParameter);
        }
        window.location.assign(address);
    });
});
