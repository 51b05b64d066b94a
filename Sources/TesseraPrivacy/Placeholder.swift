public enum TesseraPrivacyPlaceholder {}
