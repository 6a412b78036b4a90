"""The liaison staff's pages: the proposal list and page, logging, review, assignment,
feedback, extension requests and the dashboard.

Who may do what:
- anyone not signed in is sent to the login page;
- liaison staff (and superusers) see every proposal and use every page here;
- agency staff see the proposals assigned to their agency (list and page), office staff
  see every proposal; both get a 403 page from every page that changes something;
- a proposal the user may not see does not exist for them (404).

Every change goes through :mod:`proposals.services`; a refusal is shown on the form
the user filled in, with what they typed kept (:mod:`core.pages`).
"""
