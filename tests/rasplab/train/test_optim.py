"""The hand-written AdamW takes the same steps as torch.optim.AdamW."""

import copy

import torch

from rasplab.train.optim import AdamW


def test_updates_match_torch_adamw():
    generator = torch.Generator().manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    theirs_net = copy.deepcopy(net)
    ours = AdamW(net.parameters(), weight_decay=0.1, betas=(0.9, 0.98))
    theirs = torch.optim.AdamW(theirs_net.parameters(), lr=0.0, weight_decay=0.1, betas=(0.9, 0.98))
    for step in range(20):
        lr = 0.01 * (step + 1) / 20  # a changing rate, as the schedule gives
        x = torch.randn(16, 6, generator=generator)
        for model, optimizer in ((net, ours), (theirs_net, theirs)):
            optimizer.zero_grad()
            model(x).pow(2).mean().backward()
        ours.step(lr)
        for group in theirs.param_groups:
            group["lr"] = lr
        theirs.step()
    for mine, reference in zip(net.parameters(), theirs_net.parameters()):
        torch.testing.assert_close(mine, reference, rtol=1e-6, atol=1e-7)


def test_state_round_trips():
    param = torch.nn.Parameter(torch.ones(3))
    optimizer = AdamW([param], weight_decay=0.0, betas=(0.9, 0.98))
    param.grad = torch.tensor([1.0, -2.0, 3.0])
    optimizer.step(0.1)
    copy_of = AdamW([torch.nn.Parameter(torch.ones(3))], weight_decay=0.0, betas=(0.9, 0.98))
    copy_of.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    assert copy_of.steps == 1
    assert torch.equal(copy_of.exp_avg[0], optimizer.exp_avg[0])
    assert torch.equal(copy_of.exp_avg_sq[0], optimizer.exp_avg_sq[0])
