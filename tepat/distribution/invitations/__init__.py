"""Invitations (undangan) per KPM with a signed QR code: signing, PDF, single-use scan (issue 11 part 3)."""
