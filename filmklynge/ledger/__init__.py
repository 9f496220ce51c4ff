"""Money owed and paid: invoice runs and credit notes, payments and their matching by KID,
bank files (OCR giro, camt), what each member owes (dues, aging) and reminders."""
