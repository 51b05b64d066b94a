/// Placeholder: the Rényi-DP accountant lands here.
public enum AccountantPlaceholder {}
