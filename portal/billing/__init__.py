"""Billing details of a customer organisation per service (patient data archive, ePrescription):
billing or e-invoice address, operator, reference. Built with the application wizard."""
