/// Federated learning on partner data: k-means (Lloyd) steps and DP-FedAvg logistic regression
/// (McMahan et al. 2018), as local computations whose outputs are integer vectors to be summed.
public enum TesseraLearning {}
