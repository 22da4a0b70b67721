"""Contact persons and organisation points of a customer organisation, and their roles per service
(technical contact, disruption-notice recipient, data protection officer, administrative contact,
billing contact, archivist). Built with the application wizard and the customer-data pages."""
